package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * What must hold for the status page's source whatever a browser does with it; the page's behaviour
 * itself is tested in a real Chromium ({@link StatusPageIT}).
 */
class StatusPageTest {

  @Test
  void dataNeverBecomesMarkupAndNothingIsLoadedFromElsewhere() {
    String html = StatusPage.html();
    // Reasons and names come from servers and users: written as text, they cannot run.
    assertThat(html).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "eval(");
    assertThat(html).doesNotContain("document.write");
    // No build step and no third party: everything the page needs is in the one file.
    assertThat(html).doesNotContainPattern("(src|href)=\"(https?:)?//");
  }

  @Test
  void theResponseForbidsFramingAndOtherOrigins() {
    HttpTransport.Response r = StatusPage.response();
    assertThat(r.contentType()).isEqualTo("text/html; charset=utf-8");
    assertThat(r.headers().get("Content-Security-Policy"))
        .contains("default-src 'none'", "connect-src 'self'", "frame-ancestors 'none'");
    assertThat(r.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");
  }
}
