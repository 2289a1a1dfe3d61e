package org.hopfieldstore.core.models;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.retrieval.BlockRetrieval;

/**
 * External memory plug-ins for a whole network (arXiv 2312.17346, Sec. 3.3): the memory set of
 * each block is the block's input representations of the memory windows, computed once by the
 * pretrained network; Plug-and-Play attaches a plug-in per block with the block's pretrained
 * temporal projections and trains nothing; Tune-and-Play tunes the plug-ins' projections and
 * alpha on the task ({@link #tuning}) with the network frozen.
 */
public final class MemoryPlugins {
  private MemoryPlugins() {}

  /** Every lookback window (C x L) of the series s ending in {@code [from + lookback, to]}. */
  public static List<double[]> windows(double[][] s, int from, int to, int lookback) {
    List<double[]> out = new ArrayList<>();
    for (int t = from + lookback; t <= to; t++) {
      out.add(Forecasting.window(s, t, lookback));
    }
    return out;
  }

  /**
   * The memory set of each plug-in site: the rows (d wide) entering it, over every window, by the
   * network without plug-ins. Returns one row-major array per site.
   */
  public static double[][] memorySets(Forecaster net, List<double[]> windows,
      PrintStream progress) {
    List<PluginSite> sites = net.pluginSites();
    if (sites.isEmpty()) {
      throw new IllegalArgumentException("this network has no block a memory plug-in can sit in");
    }
    if (windows.isEmpty()) {
      throw new IllegalArgumentException("no memory windows: the memory series are shorter than "
          + "the lookback " + net.lookback());
    }
    List<MemoryPlugin> attached = new ArrayList<>();
    for (PluginSite site : sites) {
      attached.add(site.plugin());
      site.attach(null);
    }
    try {
      double[][] sets = new double[sites.size()][];
      int[] filled = new int[sites.size()];
      long start = System.nanoTime();
      for (int w = 0; w < windows.size(); w++) {
        net.forward(windows.get(w));
        for (int k = 0; k < sites.size(); k++) {
          double[] rows = sites.get(k).lastInput();
          if (sets[k] == null) {
            sets[k] = new double[Math.multiplyExact(windows.size(), rows.length)];
          }
          System.arraycopy(rows, 0, sets[k], filled[k], rows.length);
          filled[k] += rows.length;
        }
        if (progress != null && (w + 1) % 500 == 0) {
          double s = (System.nanoTime() - start) / 1e9;
          progress.println(String.format(Locale.ROOT, "memory: %d/%d windows embedded, %.0f s "
              + "left", w + 1, windows.size(), s / (w + 1) * (windows.size() - w - 1)));
        }
      }
      return sets;
    } finally {
      for (int k = 0; k < sites.size(); k++) {
        sites.get(k).attach(attached.get(k));
      }
    }
  }

  /**
   * Attaches a plug-in to every site with the block's pretrained temporal projections and alpha;
   * the memories are held in memory ({@code store} null) or in the store it builds for each
   * site's memories (site index, M x d matrix). A softmax plug-in (a dense network's, alpha fixed
   * at 1) keeps its memories in memory either way: its support is every memory, so a store
   * would ship all M weights and rows for each gradient.
   */
  public static List<MemoryPlugin> attach(Forecaster net, double[][] sets,
      BiFunction<Integer, FloatMatrix, BlockRetrieval> store) {
    List<PluginSite> sites = net.pluginSites();
    if (sets.length != sites.size()) {
      throw new IllegalArgumentException(sets.length + " memory sets for " + sites.size()
          + " plug-in sites");
    }
    List<MemoryPlugin> out = new ArrayList<>();
    for (int k = 0; k < sites.size(); k++) {
      PluginSite site = sites.get(k);
      int d = site.dModel;
      int m = sets[k].length / d;
      GshLayer layer = site.pretrainedCopy();
      MemoryPlugin p;
      if (store == null || (!layer.learnsAlpha() && layer.alpha() == 1.0)) {
        p = MemoryPlugin.dense(layer, sets[k], m);
      } else {
        float[] f = new float[sets[k].length];
        for (int i = 0; i < f.length; i++) {
          f[i] = (float) sets[k][i];
        }
        p = MemoryPlugin.served(layer, store.apply(k, FloatMatrix.of("plug-in memory of block "
            + (k + 1), f, m, d)));
      }
      site.attach(p);
      out.add(p);
    }
    return out;
  }

  /** Removes every plug-in. */
  public static void detach(Forecaster net) {
    net.pluginSites().forEach(s -> s.attach(null));
  }

  /**
   * The network as seen by Tune-and-Play: the same forward and backward (plug-ins included), but
   * only the plug-ins' projections and alpha logits are parameters, so {@link Forecasting#train}
   * tunes them and leaves the pretrained network as it is.
   */
  public static Forecaster tuning(Forecaster net) {
    List<MemoryPlugin> plugins = net.pluginSites().stream().map(PluginSite::plugin).toList();
    if (plugins.stream().anyMatch(p -> p == null)) {
      throw new IllegalStateException("Tune-and-Play needs a plug-in at every site: attach them");
    }
    return new ForwardingForecaster(net) {
      @Override
      public List<double[][]> parameters() {
        List<double[][]> out = new ArrayList<>();
        plugins.forEach(p -> p.addParameters(out));
        return out;
      }

      @Override
      public List<GshLayer> gshLayers() {
        return plugins.stream().map(p -> p.layer).toList();
      }

      @Override
      public void zeroGrad() {
        net.zeroGrad();
        plugins.forEach(p -> p.layer.zeroGrad());
      }
    };
  }
}
