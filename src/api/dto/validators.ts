import { ValidationArguments, ValidationOptions, registerDecorator } from 'class-validator';

/** A flat object whose values are strings, finite numbers or booleans (metadata filters). */
export function IsScalarMap(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isScalarMap',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          return Object.entries(value).every(
            ([k, v]) => k.length > 0 && k.length <= 128 && (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))),
          );
        },
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} must be an object of key: value pairs whose values are strings, numbers or booleans`,
      },
    });
}

/** A JSON object (not array, not null) whose serialised form stays under a byte limit. */
export function IsJsonObject(maxBytes: number, options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isJsonObject',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          return Buffer.byteLength(JSON.stringify(value)) <= maxBytes;
        },
        defaultMessage: (args: ValidationArguments) => `${args.property} must be a JSON object of at most ${maxBytes} bytes`,
      },
    });
}
