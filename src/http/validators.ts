import {
  Matches,
  ValidationArguments,
  ValidationOptions,
  registerDecorator,
} from 'class-validator';

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
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} must be a JSON object of at most ${maxBytes} bytes`,
      },
    });
}

/**
 * A model id as the hub spells it ("org/name" or "name"): letters, digits, "_", "-" and ".", but no
 * "." or ".." segment, which would point outside MODELS_DIR.
 */
export const MODEL_ID = /^(?!\.\.?(\/|$))[\w.-]+(\/(?!\.\.?$)[\w.-]+)?$/;

export function IsModelId(property: string) {
  return Matches(MODEL_ID, {
    message: `${property} must look like "org/name" or "name" (no "." or ".." parts)`,
  });
}
