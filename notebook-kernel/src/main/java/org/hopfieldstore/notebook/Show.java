package org.hopfieldstore.notebook;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Inline output for notebooks: XChart charts, images, grids of image-shaped vectors and
 * Markdown tables, published as Jupyter display data (PNG images, not text dumps).
 */
public final class Show {
  /** Where display data goes: set by the kernel. */
  static volatile Consumer<DisplayData> sink;

  private Show() {}

  /** Renders a chart (any XChart chart) as a PNG. */
  public static void chart(Chart<?, ?> chart) {
    image(BitmapEncoder.getBufferedImage(chart));
  }

  /** Publishes an image as a PNG. */
  public static void image(BufferedImage img) {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    DisplayData data = new DisplayData("<image " + img.getWidth() + "x" + img.getHeight() + ">");
    data.putData(MIMEType.IMAGE_PNG, Base64.getEncoder().encodeToString(png.toByteArray()));
    publish(data);
  }

  /** Publishes Markdown (e.g. a table). */
  public static void markdown(String text) {
    DisplayData data = new DisplayData(text);
    data.putData(MIMEType.parse("text/markdown"), text);
    publish(data);
  }

  /**
   * A grid of grayscale images, one per row of {@code rows} (each {@code height x width} values,
   * row-major), {@code columns} per grid line, each scaled to its own min..max and magnified
   * {@code zoom} times: stored images, queries and retrieved states side by side.
   */
  public static BufferedImage grid(List<float[]> rows, int height, int width, int columns,
      int zoom) {
    if (rows.isEmpty() || columns < 1 || zoom < 1) {
      throw new IllegalArgumentException("need at least one image, columns >= 1 and zoom >= 1");
    }
    int gap = 2;
    int lines = (rows.size() + columns - 1) / columns;
    int cellW = width * zoom + gap;
    int cellH = height * zoom + gap;
    BufferedImage img = new BufferedImage(columns * cellW, lines * cellH,
        BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < rows.size(); i++) {
      float[] v = rows.get(i);
      if (v.length != height * width) {
        throw new IllegalArgumentException("image " + i + " has " + v.length + " values, not "
            + height + " x " + width);
      }
      float lo = Float.POSITIVE_INFINITY;
      float hi = Float.NEGATIVE_INFINITY;
      for (float x : v) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
      float span = hi > lo ? hi - lo : 1f;
      int x0 = (i % columns) * cellW;
      int y0 = (i / columns) * cellH;
      for (int r = 0; r < height; r++) {
        for (int c = 0; c < width; c++) {
          int g = Math.round(255f * (v[r * width + c] - lo) / span);
          int rgb = (g << 16) | (g << 8) | g;
          for (int dy = 0; dy < zoom; dy++) {
            for (int dx = 0; dx < zoom; dx++) {
              img.setRGB(x0 + c * zoom + dx, y0 + r * zoom + dy, rgb);
            }
          }
        }
      }
    }
    return img;
  }

  /** Row {@code r} of a matrix as a new array. */
  public static float[] row(FloatMatrix m, int r) {
    float[] out = new float[m.cols()];
    System.arraycopy(m.data(), r * m.cols(), out, 0, m.cols());
    return out;
  }

  private static void publish(DisplayData data) {
    Consumer<DisplayData> s = sink;
    if (s == null) {
      throw new IllegalStateException("Show needs the hopfield-store Jupyter kernel");
    }
    s.accept(data);
  }
}
