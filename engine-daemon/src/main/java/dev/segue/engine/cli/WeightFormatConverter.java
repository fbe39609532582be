package dev.segue.engine.cli;

import dev.segue.engine.checkpoint.WeightFormat;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --weights as-stored|fp32|bf16|fp16}; anything else is an error naming the choices. */
final class WeightFormatConverter implements ITypeConverter<WeightFormat> {
    @Override
    public WeightFormat convert(String value) {
        try {
            return WeightFormat.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
