package io.slotkeeper.pgoutput;

import java.net.InetAddress;

/**
 * An inet or cidr value: the address and its netmask length ({@code 192.168.0.1/24} is the address
 * 192.168.0.1 with 24 bits; a plain inet address has 32 or 128). Java turns an IPv4-mapped IPv6
 * address ({@code ::ffff:1.2.3.4}) into an {@link java.net.Inet4Address}; the bits stay those of
 * the IPv6 value.
 */
public record PgInet(InetAddress address, int bits) {
  public PgInet {
    Checks.nonNull(address, "address");
  }
}
