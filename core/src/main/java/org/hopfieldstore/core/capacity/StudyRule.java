package org.hopfieldstore.core.capacity;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hopfieldstore.core.retrieval.RetrievalSpec;

/**
 * One model of a study: a retrieval spec, or a spec whose top-K size is a share of the memory set
 * ({@code topk:k=20%}: K = round(0.2 M), at least 1), as the nonparametric paper's code sizes K
 * per memory set. Results name it by {@link #label()} so the grid points of one model line up.
 */
public final class StudyRule {
  private static final Pattern PERCENT_K = Pattern.compile("(^|[:,])k=([0-9.]+)%(?=,|$)");
  private static final Pattern ONE_K = Pattern.compile("(^|[:,])k=1(?=,|$)");

  private final String label;
  private final RetrievalSpec fixed; // null: K depends on M
  private final String template;
  private final double percent;

  private StudyRule(String label, RetrievalSpec fixed, String template, double percent) {
    this.label = label;
    this.fixed = fixed;
    this.template = template;
    this.percent = percent;
  }

  /** Parses a spec, where {@code k=P%} (0 < P <= 100) may stand for a number of memories. */
  public static StudyRule parse(String text) {
    String t = text.trim();
    Matcher m = PERCENT_K.matcher(t);
    if (!m.find()) {
      RetrievalSpec spec = RetrievalSpec.parse(t);
      return new StudyRule(spec.toString(), spec, null, 0);
    }
    double p;
    try {
      p = Double.parseDouble(m.group(2));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("k=" + m.group(2) + "%: not a percentage");
    }
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("k=" + m.group(2) + "%: the share of M must be in "
          + "(0, 100]%");
    }
    String template = (t.substring(0, m.start()) + m.group(1)).replace("%", "%%") + "k=%d"
        + t.substring(m.end()).replace("%", "%%");
    String canonical = RetrievalSpec.parse(String.format(Locale.ROOT, template, 1)).toString();
    String share = m.group(2);
    String label = ONE_K.matcher(canonical).replaceFirst("$1k=" + share + "%");
    return new StudyRule(label, null, template, p);
  }

  /** The spec for a memory set of {@code m} rows. */
  public RetrievalSpec specFor(int m) {
    if (fixed != null) {
      return fixed;
    }
    long k = Math.max(1, Math.round(percent / 100 * m));
    return RetrievalSpec.parse(String.format(Locale.ROOT, template, k));
  }

  /** The model's name in results: the canonical spec text, with {@code k=P%} kept as written. */
  public String label() {
    return label;
  }

  @Override
  public String toString() {
    return label;
  }
}
