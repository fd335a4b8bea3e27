package dev.hailuo.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.core.error.GatewayException;

/**
 * Reading the fields of a JSON request body, with the refusals worded alike in every door
 * ({@code "input.prompt: must be a string, got number."}). The doors name the field as their
 * own API spells it; what is allowed beyond the type is the core's to decide.
 */
public final class JsonFields {
    private JsonFields() {
    }

    /**
     * The field's text, or null when it is absent or JSON null and not {@code required}.
     *
     * @param label how the field is named in a refusal
     */
    public static String string(JsonNode body, String field, String label, boolean required) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw GatewayException.validation(label + ": is required.");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw GatewayException.validation(label + ": must be a string, got " + typeOf(node) + ".");
        }
        return node.textValue();
    }

    /** A parameter as the core's neutral params take it: a string, a boolean or a number; anything else is refused. */
    public static Object scalar(JsonNode value, String label) {
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isNumber()) {
            return value.numberValue();
        }
        throw GatewayException.validation(label + ": must be a string, number or boolean, got " + typeOf(value) + ".");
    }

    /** The JSON type as a refusal names it: {@code string}, {@code number}, {@code object}, ... */
    public static String typeOf(JsonNode value) {
        return value.getNodeType().name().toLowerCase();
    }
}
