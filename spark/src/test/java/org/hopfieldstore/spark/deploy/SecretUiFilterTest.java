package org.hopfieldstore.spark.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Enumeration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkproject.jetty.server.Server;
import org.sparkproject.jetty.server.ServerConnector;
import org.sparkproject.jetty.servlet.FilterHolder;
import org.sparkproject.jetty.servlet.ServletContextHandler;
import org.sparkproject.jetty.servlet.ServletHolder;

class SecretUiFilterTest {

  private static final String SECRET = "3f1c9a0b7e";

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString(
        (user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void acceptsOnlyBasicCredentialsWithTheSecretAsPassword() {
    byte[] d = SecretUiFilter.digest(SECRET);
    assertEquals("alice", SecretUiFilter.authenticatedUser(basic("alice", SECRET), d));
    assertEquals("alice", SecretUiFilter.authenticatedUser(
        "basic  " + basic("alice", SECRET).substring(6) + " ", d));
    assertEquals(SecretUiFilter.DEFAULT_USER, SecretUiFilter.authenticatedUser(
        basic("", SECRET), d));
    assertNull(SecretUiFilter.authenticatedUser(null, d));
    assertNull(SecretUiFilter.authenticatedUser(basic("alice", SECRET + "0"), d));
    assertNull(SecretUiFilter.authenticatedUser(basic("alice", SECRET.substring(1)), d));
    assertNull(SecretUiFilter.authenticatedUser(basic("alice", ""), d));
    assertNull(SecretUiFilter.authenticatedUser(basic(SECRET, "alice"), d));
    assertNull(SecretUiFilter.authenticatedUser("Bearer " + SECRET, d));
    assertNull(SecretUiFilter.authenticatedUser("Basic", d));
    assertNull(SecretUiFilter.authenticatedUser("Basic !!!not-base64", d));
    assertNull(SecretUiFilter.authenticatedUser("Basic " + Base64.getEncoder().encodeToString(
        SECRET.getBytes(StandardCharsets.UTF_8)), d)); // no colon
    // the password is everything after the first colon, so a secret may contain colons
    byte[] withColon = SecretUiFilter.digest("a:b");
    assertEquals("u", SecretUiFilter.authenticatedUser(basic("u", "a:b"), withColon));
    assertNull(SecretUiFilter.authenticatedUser(basic("u", "a"), withColon));
    assertNull(SecretUiFilter.authenticatedUser(basic("u", "b"), withColon));
  }

  @Test
  void refusesToStartWithoutASecret() {
    String before = System.clearProperty(SecretUiFilter.SECRET_PROPERTY);
    try {
      ServletException e = assertThrows(ServletException.class,
          () -> new SecretUiFilter().init(config(null)));
      assertTrue(e.getMessage().contains("has no secret"), e.getMessage());
      ServletException missing = assertThrows(ServletException.class,
          () -> new SecretUiFilter().init(config("/nonexistent/secret")));
      assertTrue(missing.getMessage().contains("/nonexistent/secret"), missing.getMessage());
    } finally {
      if (before != null) {
        System.setProperty(SecretUiFilter.SECRET_PROPERTY, before);
      }
    }
  }

  /** The filter in Spark's own (shaded) Jetty, as spark.ui.filters installs it: "/*". */
  @Test
  void jettyServesOnlyRequestsWithTheSecret(@TempDir Path dir) throws Exception {
    Path secretFile = dir.resolve("secret");
    Files.writeString(secretFile, SECRET + "\n");
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder(new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        resp.getWriter().print("logs for " + req.getRemoteUser());
      }
    }), "/");
    FilterHolder holder = new FilterHolder();
    holder.setClassName(SecretUiFilter.class.getName());
    holder.setInitParameter(SecretUiFilter.SECRET_FILE_PARAM, secretFile.toString());
    context.addFilter(holder, "/*", EnumSet.allOf(DispatcherType.class));
    server.setHandler(context);
    server.start();
    try {
      String url = "http://127.0.0.1:" + connector.getLocalPort()
          + "/logPage/?appId=app-1&executorId=0&logType=stderr";
      HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
          .connectTimeout(Duration.ofSeconds(5)).build();

      HttpResponse<String> open = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(401, open.statusCode());
      assertTrue(open.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic "),
          open.headers().toString());
      assertTrue(!open.body().contains("logs for"), open.body());

      HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(url))
          .header("Authorization", basic("alice", "guess")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(401, wrong.statusCode());

      HttpResponse<String> right = http.send(HttpRequest.newBuilder(URI.create(url))
          .header("Authorization", basic("alice", SECRET)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, right.statusCode());
      assertEquals("logs for alice", right.body());

      HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(url))
          .POST(HttpRequest.BodyPublishers.ofString("id=app-1&terminate=true")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(401, post.statusCode());
    } finally {
      server.stop();
    }
  }

  private static FilterConfig config(String secretFile) {
    return new FilterConfig() {
      @Override
      public String getFilterName() {
        return "secret";
      }

      @Override
      public ServletContext getServletContext() {
        return null;
      }

      @Override
      public String getInitParameter(String name) {
        return SecretUiFilter.SECRET_FILE_PARAM.equals(name) ? secretFile : null;
      }

      @Override
      public Enumeration<String> getInitParameterNames() {
        return Collections.enumeration(secretFile == null ? Collections.emptyList()
            : Collections.singletonList(SecretUiFilter.SECRET_FILE_PARAM));
      }
    };
  }
}
