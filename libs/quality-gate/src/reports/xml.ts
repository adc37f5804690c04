import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ReportError } from './report-error.js';

/**
 * Parses XML with fast-xml-parser, the named elements always as arrays.
 * A document that is not well-formed is refused with the parser's line and column.
 */
export function parseXml(file: string, text: string, arrays: ReadonlySet<string>): Record<string, unknown> {
  if (text.trim() === '') throw new ReportError(file, 'the file is empty');
  const valid = XMLValidator.validate(text);
  if (valid !== true)
    throw new ReportError(
      file,
      `not well-formed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`,
    );
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseAttributeValue: false,
    parseTagValue: false,
    processEntities: true,
    isArray: (name) => arrays.has(name),
  });
  return parser.parse(text) as Record<string, unknown>;
}

export type XmlNode = Record<string, unknown>;

export const children = (node: unknown, name: string): XmlNode[] => {
  if (node === null || typeof node !== 'object') return [];
  const value = (node as XmlNode)[name];
  if (value === undefined || value === '') return [];
  return (Array.isArray(value) ? value : [value]).map((v) =>
    v !== null && typeof v === 'object' ? (v as XmlNode) : {},
  );
};

/** Attributes are kept apart from child elements (`@_name`): node:test writes both a `failure` attribute and element. */
export const attribute = (node: XmlNode, name: string): string | undefined => {
  const value = node[`@_${name}`];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
};
