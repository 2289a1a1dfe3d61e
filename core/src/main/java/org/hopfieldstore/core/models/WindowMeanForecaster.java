package org.hopfieldstore.core.models;

/**
 * A network whose forecast is added to each series' lookback mean, the official STanHop-Net's
 * {@code baseline=True} ({@code base = x_seq.mean(dim=1)}, MAGICS-LAB/STanHop {@code
 * code_models/stanhop.py}): the network then predicts the departure from the window's level,
 * which a series whose test part lies outside its training range needs.
 */
public final class WindowMeanForecaster extends ForwardingForecaster {
  public WindowMeanForecaster(Forecaster net) {
    super(net);
  }

  @Override
  public double[] forward(double[] x) {
    double[] out = net.forward(x).clone();
    int l = lookback();
    int h = horizon();
    for (int c = 0; c < series(); c++) {
      double mean = 0;
      for (int t = 0; t < l; t++) {
        mean += x[c * l + t];
      }
      mean /= l;
      for (int k = 0; k < h; k++) {
        out[c * h + k] += mean;
      }
    }
    return out;
  }

  @Override
  public double[] backward(double[] dOut) {
    double[] dx = net.backward(dOut);
    int l = lookback();
    int h = horizon();
    for (int c = 0; c < series(); c++) {
      double g = 0;
      for (int k = 0; k < h; k++) {
        g += dOut[c * h + k];
      }
      for (int t = 0; t < l; t++) {
        dx[c * l + t] += g / l;
      }
    }
    return dx;
  }
}
