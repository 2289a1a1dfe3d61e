package org.hopfieldstore.notebook;

import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;

/**
 * A Java kernel: each cell is split into JShell snippets and evaluated in this JVM ("local"
 * execution), so the project's classes, Spark and ND4J come from the kernel's own classpath and
 * {@link Show} can publish images. A compile error or an exception fails the cell (and so a
 * headless {@code nbconvert --execute}); the value of a final expression is the cell's result.
 */
public final class JShellKernel extends BaseKernel {
  private final JShell shell;

  public JShellKernel() {
    shell = JShell.builder().executionEngine("local").build();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        shell.addToClasspath(entry);
      }
    }
    Show.sink = this::display;
  }

  @Override
  public LanguageInfo getLanguageInfo() {
    return new LanguageInfo.Builder("java")
        .version(Runtime.version().toString())
        .mimetype("text/x-java-source")
        .fileExtension(".jshell")
        .pygments("java")
        .codemirror("java")
        .build();
  }

  @Override
  public String getBanner() {
    return "hopfield-store Java kernel (JShell " + Runtime.version() + ")";
  }

  @Override
  public DisplayData eval(String code) throws Exception {
    String value = null;
    SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
    String remaining = code;
    while (!remaining.isBlank()) {
      SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
      String source = info.source();
      if (info.completeness() == SourceCodeAnalysis.Completeness.DEFINITELY_INCOMPLETE
          || source == null) {
        throw new CellException("incomplete code: " + remaining.strip());
      }
      value = evalSnippet(source);
      remaining = info.remaining();
    }
    return value == null ? null : new DisplayData(value);
  }

  /** Evaluates one snippet; its value (expressions only), or null. */
  private String evalSnippet(String source) throws CellException {
    List<SnippetEvent> events = shell.eval(source);
    String value = null;
    for (SnippetEvent e : events) {
      if (e.causeSnippet() != null) {
        continue; // a dependent snippet's update, not this cell's own
      }
      Snippet s = e.snippet();
      if (e.status() == Snippet.Status.REJECTED) {
        List<String> messages = shell.diagnostics(s).map(d -> describe(d, source))
            .collect(Collectors.toList());
        throw new CellException("compile error:\n" + String.join("\n", messages));
      }
      if (e.exception() != null) {
        throw new CellException(describe(e.exception()));
      }
      if (s.kind() == Snippet.Kind.EXPRESSION || (s.kind() == Snippet.Kind.VAR
          && s.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND)) {
        value = e.value();
      }
    }
    return value;
  }

  private static String describe(Diag d, String source) {
    long at = Math.max(0, d.getStartPosition());
    int line = 1 + (int) source.substring(0, (int) Math.min(at, source.length())).chars()
        .filter(c -> c == '\n').count();
    return "line " + line + ": " + d.getMessage(null);
  }

  private static String describe(Exception ex) {
    StringBuilder b = new StringBuilder();
    if (ex instanceof EvalException) {
      b.append(((EvalException) ex).getExceptionClassName());
    } else if (ex instanceof UnresolvedReferenceException) {
      b.append("unresolved reference: ")
          .append(((UnresolvedReferenceException) ex).getSnippet().source());
    } else {
      b.append(ex.getClass().getName());
    }
    if (ex.getMessage() != null) {
      b.append(": ").append(ex.getMessage());
    }
    List<String> frames = new ArrayList<>();
    for (StackTraceElement f : ex.getStackTrace()) {
      frames.add("    at " + f);
      if (frames.size() == 12) {
        break;
      }
    }
    return b + (frames.isEmpty() ? "" : "\n" + String.join("\n", frames));
  }

  @Override
  public List<String> formatError(Exception e) {
    if (e instanceof CellException) {
      return List.of(e.getMessage().split("\n"));
    }
    return super.formatError(e);
  }

  @Override
  public void onShutdown(boolean isRestarting) {
    close();
  }

  void close() {
    shell.close();
  }

  /** A failed cell: the message is what the notebook shows. */
  static final class CellException extends Exception {
    private static final long serialVersionUID = 1L;

    CellException(String message) {
      super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // the kernel's own frames would only hide the user's error
    }
  }
}
