import { ValidationArguments, ValidationOptions, registerDecorator } from 'class-validator';

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
