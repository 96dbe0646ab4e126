package org.diredi.vision.report;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One figure over repeated runs (seeds): every run's value, the mean and the sample standard deviation
 * (n - 1; 0 for one run, which shows no spread; undefined, NaN, for none).
 */
public record Spread(List<Double> values, double mean, double sd) {

    public static Spread of(List<Double> values) {
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double ss = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
        double sd = switch (values.size()) {
            case 0 -> Double.NaN;
            case 1 -> 0;
            default -> Math.sqrt(ss / (values.size() - 1));
        };
        return new Spread(List.copyOf(values), mean, sd);
    }

    /**
     * Like {@link #of}, with the mean and sd over the values that were measured (not NaN): runs recorded before a figure
     * existed keep their place, as null, without hiding the others' figure.
     */
    public static Spread ofMeasured(List<Double> values) {
        Spread measured = of(values.stream().filter(v -> !Double.isNaN(v)).toList());
        return new Spread(List.copyOf(values), measured.mean, measured.sd);
    }

    /** How many values were measured (not NaN). */
    public long measured() {
        return values.stream().filter(v -> !Double.isNaN(v)).count();
    }

    /** "mean ± sd" with one decimal. */
    public String text() {
        return String.format("%.1f ± %.1f", mean, sd);
    }

    /** JSON form {"seeds": [...], "mean": m, "sd": s}: a value that could not be measured is null, never NaN. */
    @JsonValue
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seeds", values.stream().map(Spread::orNull).toList());
        m.put("mean", orNull(mean));
        m.put("sd", orNull(sd));
        return m;
    }

    private static Double orNull(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
