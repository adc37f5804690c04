import { kubeTime, type JsonObject } from '../json.js';
import type { ResourceType } from '../resources/catalog.js';
import type { KubeObject, ManagedFieldsEntry } from '../resources/kube-object.js';
import { FieldSet, fromFieldsV1, toFieldsV1 } from './field-set.js';

const UNMANAGED_METADATA = [
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
];

/**
 * The part of an object whose fields have managers: not the type and identity fields, and not the
 * status when the resource has a status subresource (writes to the main resource never change it).
 */
export function managedPart(object: KubeObject | JsonObject, resource: ResourceType): JsonObject {
  const { apiVersion: _apiVersion, kind: _kind, metadata, ...rest } = object;
  if (resource.subresources.includes('status')) delete rest.status;
  const meta = { ...(metadata as JsonObject | undefined) };
  for (const key of UNMANAGED_METADATA) delete meta[key];
  return Object.keys(meta).length > 0 ? { metadata: meta, ...rest } : rest;
}

export interface ManagerFields {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  subresource?: string;
  fields: FieldSet;
}

export function decodeManagedFields(entries: readonly ManagedFieldsEntry[] | undefined): ManagerFields[] {
  return (entries ?? []).map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    time: e.time,
    ...(e.subresource ? { subresource: e.subresource } : {}),
    fields: fromFieldsV1(e.fieldsV1),
  }));
}

export function encodeManagedFields(managers: readonly ManagerFields[]): ManagedFieldsEntry[] {
  return managers
    .filter((m) => m.fields.size > 0)
    .map((m) => ({
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      time: m.time,
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(m.fields),
      ...(m.subresource ? { subresource: m.subresource } : {}),
    }));
}

/** The entry of `manager` for `operation`, created (empty) when it has none yet. */
export function entryFor(
  managers: ManagerFields[],
  manager: string,
  operation: 'Apply' | 'Update',
): ManagerFields {
  let entry = managers.find((m) => m.manager === manager && m.operation === operation && !m.subresource);
  if (!entry) {
    entry = { manager, operation, apiVersion: '', time: kubeTime(), fields: new FieldSet() };
    managers.push(entry);
  }
  return entry;
}

/** Gives an entry its new fields; its time moves only when they change, so a no-op write stays one. */
export function setFields(entry: ManagerFields, fields: FieldSet, apiVersion: string): void {
  const same =
    entry.apiVersion === apiVersion &&
    entry.fields.size === fields.size &&
    [...fields].every((p) => entry.fields.has(p));
  if (same) return;
  entry.fields = fields;
  entry.apiVersion = apiVersion;
  entry.time = kubeTime();
}
