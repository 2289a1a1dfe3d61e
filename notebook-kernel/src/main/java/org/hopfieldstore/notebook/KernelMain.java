package org.hopfieldstore.notebook;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Entry point Jupyter starts (see the kernel.json that notebooks/setup.sh writes):
 * {@code java -cp KERNEL_JAR:LIB/* org.hopfieldstore.notebook.KernelMain CONNECTION_FILE}.
 */
public final class KernelMain {
  private KernelMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: KernelMain CONNECTION_FILE (Jupyter passes it)");
      System.exit(2);
    }
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
