using StackExchange.Redis;

namespace Drover.Gateway.Hosting;

/// <summary>
/// How the gateway connects to Redis: from <c>--redis</c>, DROVER_GATEWAY_REDIS_PASSWORD, and the TLS files of
/// <c>--redis-ca</c>, <c>--redis-client-cert</c> and <c>--redis-client-key</c>.
/// </summary>
internal static class RedisConnection
{
    /// <summary>The variable the Redis password comes from: never a flag, so it is not in the process list.</summary>
    public const string PasswordVariable = "DROVER_GATEWAY_REDIS_PASSWORD";

    /// <summary>What is wrong with <paramref name="address"/>, or null when it can be used.</summary>
    public static string? Problem(string address)
    {
        try
        {
            return ConfigurationOptions.Parse(address).EndPoints.Count == 0 ? "it names no host:port" : null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    /// <summary>The configuration to connect with, from the gateway's options; null without <c>--redis</c>.</summary>
    public static ConfigurationOptions? Options(GatewayOptions options, Func<string, string?> environment) =>
        options.Redis is { } address ? Options(address, environment(PasswordVariable), RedisTls.From(options)) : null;

    /// <summary>
    /// The configuration to connect with. It never gives up connecting (the gateway starts, and serves from memory,
    /// while Redis is down) and answers within a second, so a Redis that hangs costs a request little before the
    /// gateway falls back. With <paramref name="tls"/> the connection is TLS, whatever the address says, authenticated
    /// as <see cref="RedisTls.Authentication"/> describes; without it, <c>ssl=true</c> in the address trusts the system's
    /// store. Either way the certificate must name the host in the address, or its <c>sslHost</c>.
    /// </summary>
    public static ConfigurationOptions Options(string address, string? password, RedisTls? tls = null)
    {
        var options = ConfigurationOptions.Parse(address);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 2000;
        options.AsyncTimeout = 1000;
        options.SyncTimeout = 1000;
        options.ClientName = "drover-gateway";

        // While disconnected, a command fails at once (the gateway falls back) instead of queueing for the timeout.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        if (!string.IsNullOrEmpty(password))
        {
            options.Password = password;
        }

        if (tls is not null)
        {
            options.Ssl = true;
            var (protocols, checkRevocation) = (options.SslProtocols ?? System.Security.Authentication.SslProtocols.None, options.CheckCertificateRevocation);
            options.SslClientAuthenticationOptions = host => tls.Authentication(host, protocols, checkRevocation);
        }

        return options;
    }
}
