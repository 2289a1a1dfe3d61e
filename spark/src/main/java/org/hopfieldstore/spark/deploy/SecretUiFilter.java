package org.hopfieldstore.spark.deploy;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * A servlet filter for Spark's web UIs ({@code spark.ui.filters}) that serves only requests
 * carrying the cluster's shared secret: HTTP Basic, any user name, the secret as the password.
 *
 * <p>{@code spark.authenticate} guards Spark's RPC only; the Master and Worker UIs have no
 * authentication of their own, so without this any local user could read executor logs (and
 * the job's output in them) from a Worker UI. {@code deploy/cluster.sh} starts its Master and
 * Workers with it. The secret comes from the init parameter {@code secretFile}
 * ({@code spark.org.hopfieldstore.spark.deploy.SecretUiFilter.param.secretFile}), else from the
 * JVM's {@code spark.authenticate.secret} property, which the daemons of {@code cluster.sh} have;
 * with neither the filter fails to start, so a UI is never left open by mistake. An accepted
 * request's remote user is the Basic user name, so Spark's view ACLs can apply on top.
 */
public final class SecretUiFilter implements Filter {

  static final String SECRET_FILE_PARAM = "secretFile";
  static final String SECRET_PROPERTY = "spark.authenticate.secret";
  static final String REALM = "hopfield-store cluster";
  /** The remote user of a request whose Basic user name is empty. */
  static final String DEFAULT_USER = "cluster";

  private volatile byte[] secretDigest;

  @Override
  public void init(FilterConfig config) throws ServletException {
    String file = config.getInitParameter(SECRET_FILE_PARAM);
    String secret;
    if (file != null && !file.isBlank()) {
      try {
        secret = Files.readString(Path.of(file.trim()), StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new ServletException("cannot read the UI secret file " + file + ": " + e, e);
      }
    } else {
      secret = System.getProperty(SECRET_PROPERTY);
    }
    if (secret == null || secret.isBlank()) {
      throw new ServletException(getClass().getSimpleName() + " has no secret: set the filter's "
          + SECRET_FILE_PARAM + " parameter or the " + SECRET_PROPERTY + " system property");
    }
    secretDigest = digest(secret);
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest http = (HttpServletRequest) request;
    String user = authenticatedUser(http.getHeader("Authorization"), secretDigest);
    if (user == null) {
      HttpServletResponse out = (HttpServletResponse) response;
      out.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
      out.setHeader("Cache-Control", "no-store");
      out.sendError(HttpServletResponse.SC_UNAUTHORIZED,
          "this UI needs the cluster's secret (HTTP Basic, any user name, the secret as password)");
      return;
    }
    chain.doFilter(new HttpServletRequestWrapper(http) {
      @Override
      public String getRemoteUser() {
        return user;
      }

      @Override
      public String getAuthType() {
        return HttpServletRequest.BASIC_AUTH;
      }
    }, response);
  }

  @Override
  public void destroy() {
    secretDigest = null;
  }

  /**
   * The user name of an {@code Authorization} header whose Basic credentials hold the secret of
   * {@code secretDigest} as password ({@link #DEFAULT_USER} for an empty name), else null: no
   * header, another scheme, malformed base64, no colon, or a wrong password.
   */
  static String authenticatedUser(String header, byte[] secretDigest) {
    if (header == null || secretDigest == null) {
      return null;
    }
    String h = header.strip();
    int space = h.indexOf(' ');
    if (space < 0 || !h.substring(0, space).toLowerCase(Locale.ROOT).equals("basic")) {
      return null;
    }
    String credentials;
    try {
      credentials = new String(Base64.getDecoder().decode(h.substring(space + 1).strip()),
          StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
    int colon = credentials.indexOf(':');
    if (colon < 0) {
      return null;
    }
    // compare digests in constant time: the length and content of the secret stay hidden
    if (!MessageDigest.isEqual(digest(credentials.substring(colon + 1)), secretDigest)) {
      return null;
    }
    String user = credentials.substring(0, colon);
    return user.isEmpty() ? DEFAULT_USER : user;
  }

  static byte[] digest(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
