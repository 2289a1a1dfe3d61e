package org.hopfieldstore.jobs;

/** A command-line mistake: printed with a hint to use --help, exit status 2. */
public final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
