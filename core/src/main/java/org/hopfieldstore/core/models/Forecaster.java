package org.hopfieldstore.core.models;

import java.util.List;

/**
 * A window forecaster trained by {@link Forecasting#train}: C series' lookback window in,
 * their H-step forecast out, with a hand-derived backward and its parameters exposed.
 */
public interface Forecaster {
  /** Series C. */
  int series();

  /** Lookback L: the window is C x L (row per series). */
  int lookback();

  /** Horizon H: the forecast is C x H. */
  int horizon();

  /** Forecast for one window x (C x L); returns C x H. */
  double[] forward(double[] x);

  /** Accumulates parameter gradients for upstream dOut (C x H); returns dL/dx (C x L). */
  double[] backward(double[] dOut);

  /** Every parameter array with its gradient array, for an optimiser. */
  List<double[][]> parameters();

  /** Every GSH layer (for their alpha logits, which are scalars). */
  List<GshLayer> gshLayers();

  void zeroGrad();

  /** Where external memory plug-ins may sit: one site per STanHop block (encoder side). */
  List<PluginSite> pluginSites();
}
