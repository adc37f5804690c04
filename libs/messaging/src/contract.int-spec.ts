import { inProcessTransport, jetStreamTransport } from './testing/transports.js';
import { runBusContractSuite } from './testing/contract-suite.js';

runBusContractSuite(inProcessTransport);
runBusContractSuite(jetStreamTransport());
