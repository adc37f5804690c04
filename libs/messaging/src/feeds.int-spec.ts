import { runFeedContractSuite } from './testing/feed-suite.js';
import { inProcessTransport, jetStreamTransport } from './testing/transports.js';

runFeedContractSuite(inProcessTransport);
runFeedContractSuite(jetStreamTransport());
