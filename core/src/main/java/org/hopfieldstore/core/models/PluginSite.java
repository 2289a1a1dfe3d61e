package org.hopfieldstore.core.models;

/**
 * Where a STanHop block's representations enter it (rows of width d: every series' patches): a
 * memory plug-in may sit here, {@code z <- z + GSH(z, Y)}. The site keeps its last input, so a
 * pass over the memory windows yields the block's memory set Y, and names the block's pretrained
 * temporal GSH layer, whose projections a Plug-and-Play plug-in reuses.
 */
public final class PluginSite {
  public final int dModel;
  /** The block's own temporal GSH layer (the plug-in's shape and pretrained projections). */
  public final GshLayer temporal;
  private MemoryPlugin plugin;
  private double[] lastInput;
  private int lastRows;

  PluginSite(int dModel, GshLayer temporal) {
    this.dModel = dModel;
    this.temporal = temporal;
  }

  /** Attaches a plug-in (null detaches). */
  public void attach(MemoryPlugin p) {
    if (p != null && p.layer.dIn != dModel) {
      throw new IllegalArgumentException("a plug-in of width " + p.layer.dIn + " cannot sit in "
          + "a block of width " + dModel);
    }
    plugin = p;
  }

  public MemoryPlugin plugin() {
    return plugin;
  }

  /** The last representations that entered the site (rows x d), before any plug-in. */
  public double[] lastInput() {
    return lastInput;
  }

  public int lastRows() {
    return lastRows;
  }

  /** A fresh GSH layer shaped like the block's temporal layer, with its parameters copied. */
  public GshLayer pretrainedCopy() {
    GshLayer copy = GshLayer.multiHead(dModel, dModel, dModel, temporal.heads, temporal.beta,
        temporal.learnsAlpha() ? 1.5 : temporal.alpha(), !temporal.learnsAlpha(), 0);
    copy.copyFrom(temporal);
    return copy;
  }

  double[] forward(double[] z, int rows) {
    lastInput = z;
    lastRows = rows;
    if (plugin == null) {
      return z;
    }
    double[] out = plugin.forward(z, rows).clone();
    Mat.addTo(out, z);
    return out;
  }

  /** dL/dz for upstream dL/d(z + GSH(z, Y)). */
  double[] backward(double[] dOut) {
    if (plugin == null) {
      return dOut;
    }
    double[] dz = plugin.backward(dOut);
    Mat.addTo(dz, dOut);
    return dz;
  }
}
