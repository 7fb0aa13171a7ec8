package dev.batcher.service.cli;

import java.net.InetSocketAddress;
import picocli.CommandLine;

/** Converts {@code HOST:PORT} options (such as {@code --manager}) to socket addresses, for picocli. */
public final class HostPort implements CommandLine.ITypeConverter<InetSocketAddress> {

    /**
     * Parses {@code HOST:PORT}; the host may be a name, an IPv4 address or a bracketed IPv6 address.
     *
     * @param text the address
     * @return the unresolved-if-need-be socket address
     * @throws CommandLine.TypeConversionException if the text is not {@code HOST:PORT} with a port in [1, 65535]
     */
    @Override
    public InetSocketAddress convert(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new CommandLine.TypeConversionException("'" + text + "' (expected: HOST:PORT, for example 127.0.0.1:7070)");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new CommandLine.TypeConversionException("'" + text + "' (expected: HOST:PORT with a port in [1, 65535])");
        }
        return new InetSocketAddress(host, port);
    }
}
