using System.Net;
using System.Net.Sockets;

namespace Sambung.Web.Features.Providers;

// The HTTP clients provider SDKs use. Two rules: a cancelled reply closes its connection at once (a provider keeps
// generating, and billing, while a half-read response is drained), and a user's connection may only reach public
// addresses (checked when connecting, so DNS tricks cannot point it at the server's own network). Instance
// connections, set by an admin, may reach the local network: a local Ollama is the common case.
public sealed class ProviderHttp : IDisposable
{
    private readonly SocketsHttpHandler trustedHandler = Handler(checkAddresses: false);
    private readonly SocketsHttpHandler publicOnlyHandler = Handler(checkAddresses: true);
    private readonly HttpClient trusted;
    private readonly HttpClient publicOnly;
    private readonly bool allowPrivateForUsers;

    public ProviderHttp(IConfiguration config)
    {
        allowPrivateForUsers = config.GetValue("Sambung:AllowPrivateProviderUrls", false);
        trusted = new HttpClient(trustedHandler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        publicOnly = new HttpClient(publicOnlyHandler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public bool AllowsPrivate(ProviderConnection connection) => connection.OwnerId is null || allowPrivateForUsers;

    public HttpClient For(ProviderConnection connection) => AllowsPrivate(connection) ? trusted : publicOnly;

    // A client of its own (an SDK that wants a BaseAddress) over the same pooled connections and rules.
    public HttpClient NewClient(ProviderConnection connection, Uri baseAddress) =>
        new(AllowsPrivate(connection) ? trustedHandler : publicOnlyHandler, disposeHandler: false)
        {
            BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan,
        };

    private static SocketsHttpHandler Handler(bool checkAddresses)
    {
        var handler = new SocketsHttpHandler
        {
            MaxResponseDrainSize = 0,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
        };
        if (checkAddresses)
            handler.ConnectCallback = async (context, ct) =>
            {
                var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
                var allowed = addresses.Where(a => !ProviderUrls.IsPrivate(a)).ToArray();
                if (allowed.Length == 0 || allowed.Length != addresses.Length)
                    throw new HttpRequestException($"{context.DnsEndPoint.Host} resolves to a private or local address, which user connections may not reach.");
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        return handler;
    }

    public void Dispose()
    {
        trusted.Dispose();
        publicOnly.Dispose();
        trustedHandler.Dispose();
        publicOnlyHandler.Dispose();
    }
}

public static class ProviderUrls
{
    // A base URL a person typed: http(s), no credentials in it, and (where private addresses are not allowed) no
    // private IP literal. Host names are checked again when connecting. Returns a resource key on refusal.
    public static string? Check(string? url, bool allowPrivate)
    {
        if (string.IsNullOrWhiteSpace(url)) return null;
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) return "Connections.BadUrl";
        if (!string.IsNullOrEmpty(uri.UserInfo)) return "Connections.BadUrl";
        if (!allowPrivate && (uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var ip) && IsPrivate(ip)) || uri.Host.EndsWith(".local", StringComparison.OrdinalIgnoreCase)))
            return "Connections.PrivateUrl";
        return null;
    }

    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast;
        var b = address.GetAddressBytes();
        return b[0] switch
        {
            0 or 10 or 127 => true,
            100 => b[1] is >= 64 and <= 127,       // carrier-grade NAT
            169 => b[1] == 254,                    // link-local, cloud metadata
            172 => b[1] is >= 16 and <= 31,
            192 => b[1] == 168 || (b[1] == 0 && b[2] == 0),
            198 => b[1] is 18 or 19,               // benchmarking networks
            >= 224 => true,                        // multicast and reserved
            _ => false,
        };
    }
}
