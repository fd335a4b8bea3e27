package dev.hailuo.core.catalog;

import java.util.List;

/**
 * One model parameter as the catalog declares it. Only {@code select} exists today: the value
 * must be one of {@code options}; clients may send the option as a string or as the bare
 * number/boolean it spells (Rivya sends {@code "false"}, Market sends {@code false}).
 */
public record ParamSpec(String key, String type, String defaultValue, List<String> options, String description) {
    public ParamSpec {
        options = List.copyOf(options);
    }
}
