const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export class ValidationError extends Error {}

/** Feature flags in memory: the API's whole state (a real deployment would keep them in a database). */
export class FlagStore {
  #flags = new Map();

  list() {
    return [...this.#flags.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name) {
    return this.#flags.get(name);
  }

  /** Creates the flag; false when one with that name exists. */
  create(input) {
    const flag = validate(input, { requireName: true });
    if (this.#flags.has(flag.name)) return false;
    const now = new Date().toISOString();
    this.#flags.set(flag.name, { ...flag, createdAt: now, updatedAt: now });
    return this.#flags.get(flag.name);
  }

  /** Updates the flag's state or description; undefined when there is no such flag. */
  update(name, input) {
    const current = this.#flags.get(name);
    if (!current) return undefined;
    const changes = validate({ ...input, name }, { requireName: false });
    const updated = {
      ...current,
      ...(changes.enabled === undefined ? {} : { enabled: changes.enabled }),
      ...(changes.description === undefined ? {} : { description: changes.description }),
      updatedAt: new Date().toISOString(),
    };
    this.#flags.set(name, updated);
    return updated;
  }

  delete(name) {
    return this.#flags.delete(name);
  }
}

function validate(input, { requireName }) {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new ValidationError('the body must be a JSON object');
  const { name, enabled, description } = input;
  if ((requireName || name !== undefined) && (typeof name !== 'string' || !NAME.test(name)))
    throw new ValidationError('name: lowercase letters, digits, ".", "_" and "-", at most 63');
  if (enabled !== undefined && typeof enabled !== 'boolean')
    throw new ValidationError('enabled: true or false');
  if (description !== undefined && (typeof description !== 'string' || description.length > 500))
    throw new ValidationError('description: a string of at most 500 characters');
  return {
    name,
    ...(requireName
      ? { enabled: enabled ?? false, description: description ?? '' }
      : { enabled, description }),
  };
}
