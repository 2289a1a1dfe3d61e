package org.hopfieldstore.core.models;

import java.util.List;

/** A forecaster that hands every call to another; subclasses change what differs. */
abstract class ForwardingForecaster implements Forecaster {
  protected final Forecaster net;

  ForwardingForecaster(Forecaster net) {
    this.net = net;
  }

  @Override
  public int series() {
    return net.series();
  }

  @Override
  public int lookback() {
    return net.lookback();
  }

  @Override
  public int horizon() {
    return net.horizon();
  }

  @Override
  public double[] forward(double[] x) {
    return net.forward(x);
  }

  @Override
  public double[] backward(double[] dOut) {
    return net.backward(dOut);
  }

  @Override
  public List<double[][]> parameters() {
    return net.parameters();
  }

  @Override
  public List<GshLayer> gshLayers() {
    return net.gshLayers();
  }

  @Override
  public void zeroGrad() {
    net.zeroGrad();
  }

  @Override
  public List<PluginSite> pluginSites() {
    return net.pluginSites();
  }
}
