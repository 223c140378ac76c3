package io.slotkeeper.cli;

import java.time.Duration;

/**
 * What one client may cost the status server. The endpoints answer in microseconds from values in
 * memory, so these bounds are tight: a monitoring system or an orchestrator asks a few times a
 * minute, never more than a handful of times a second.
 *
 * @param maxHeadBytes request line and headers together; larger gets 431 (no endpoint takes more)
 * @param headTimeout time allowed to send the request line and headers; a client that dribbles them
 *     (slowloris) is cut off after this, so it holds a worker at most this long
 * @param workers threads that read requests and answer them; the only threads the server has
 *     besides its acceptor
 * @param queue connections accepted and waiting for a worker; beyond it the acceptor answers 503
 *     itself and closes, so a flood costs neither threads nor memory
 * @param requestsPerSecond sustained requests per second from one client address; over it 429
 * @param burst requests one client address may make at once before the rate applies
 */
record HttpLimits(
    int maxHeadBytes,
    Duration headTimeout,
    int workers,
    int queue,
    double requestsPerSecond,
    int burst) {

  static final HttpLimits DEFAULT = new HttpLimits(8 * 1024, Duration.ofSeconds(5), 2, 16, 10, 20);
}
