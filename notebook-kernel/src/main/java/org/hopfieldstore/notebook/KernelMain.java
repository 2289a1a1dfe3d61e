package org.hopfieldstore.notebook;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Entry point Jupyter starts (see the kernel.json that notebooks/setup.sh writes):
 * {@code java -cp KERNEL_JAR:LIB/* org.hopfieldstore.notebook.KernelMain CONNECTION_FILE}.
 */
public final class KernelMain {
  private KernelMain() {}

  /**
   * The kernel library logs every message it handles at INFO through java.util.logging, which
   * Jupyter shows in its server log: warnings only, unless {@code -Dhopfield.kernel.logLevel}.
   */
  static void quietLogging(String level) {
    Level l = Level.parse(level);
    Logger root = Logger.getLogger("");
    root.setLevel(l);
    for (Handler h : root.getHandlers()) {
      h.setLevel(l);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: KernelMain CONNECTION_FILE (Jupyter passes it)");
      System.exit(2);
    }
    quietLogging(System.getProperty("hopfield.kernel.logLevel", "WARNING"));
    KernelConnectionProperties props =
        KernelConnectionProperties.parse(Files.readString(Path.of(args[0])));
    JupyterConnection connection = new JupyterConnection(props);
    JShellKernel kernel = new JShellKernel();
    kernel.becomeHandlerForConnection(connection);
    connection.connect();
    connection.waitUntilClose();
    kernel.close();
  }
}
