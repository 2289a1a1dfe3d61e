package org.hopfieldstore.core.score;

import java.io.Serializable;

/**
 * A score kernel that travels by name: the instance where it was made, the same-named kernel of
 * the JVM it was sent to (whose BLAS and settings are that JVM's own).
 */
public final class KernelRef implements Serializable {
  private static final long serialVersionUID = 1L;
  private final String name;
  private final transient ScoreKernel kernel;

  public KernelRef(ScoreKernel kernel) {
    this.kernel = kernel;
    this.name = kernel.name();
  }

  public ScoreKernel get() {
    return kernel != null ? kernel : ScoreKernels.byName(name);
  }
}
