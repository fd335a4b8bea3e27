package dev.hailuo.server.fetch;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Host name to addresses. Production uses the JDK resolver; tests substitute fixed answers. */
@FunctionalInterface
interface NameLookup {
    NameLookup SYSTEM = InetAddress::getAllByName;

    InetAddress[] lookup(String host) throws UnknownHostException;
}
