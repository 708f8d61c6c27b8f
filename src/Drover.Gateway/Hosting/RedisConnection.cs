using StackExchange.Redis;

namespace Drover.Gateway.Hosting;

/// <summary>How the gateway connects to Redis: from <c>--redis</c> and DROVER_GATEWAY_REDIS_PASSWORD.</summary>
internal static class RedisConnection
{
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

    /// <summary>
    /// The configuration to connect with. It never gives up connecting (the gateway starts, and serves from memory,
    /// while Redis is down) and answers within a second, so a Redis that hangs costs a request little before the
    /// gateway falls back.
    /// </summary>
    public static ConfigurationOptions Options(string address, string? password)
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

        return options;
    }
}
