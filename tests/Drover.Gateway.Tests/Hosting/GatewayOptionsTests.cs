using Drover.Gateway.Hosting;

namespace Drover.Gateway.Tests.Hosting;

public class GatewayOptionsTests
{
    private static GatewayOptions? Parse(string[] args, Dictionary<string, string>? environment, out string? error) =>
        GatewayOptions.Parse(args, name => environment?.GetValueOrDefault(name), out error, out _);

    [Fact]
    public void Defaults_match_the_documented_ones()
    {
        var options = Parse([], null, out var error)!;

        Assert.Null(error);
        Assert.Equal((":8090", ":8091", ":8092", "json"), (options.Listen, options.MetricsAddress, options.HealthAddress, options.LogFormat));
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(15), 4096L), (options.LimitWait, options.FirstByteTimeout, options.StatusInterval, options.DefaultMaxTokens));
    }

    [Fact]
    public void Flags_win_over_variables_which_win_over_defaults()
    {
        var options = Parse(["--listen", "127.0.0.1:9000", "--namespaces=a, b"], new() { ["DROVER_GATEWAY_LISTEN"] = ":1", ["DROVER_GATEWAY_LIMIT_WAIT"] = "250ms", ["DROVER_GATEWAY_LOG_FORMAT"] = "text" }, out _)!;

        Assert.Equal("127.0.0.1:9000", options.Listen);
        Assert.Equal(["a", "b"], options.Namespaces);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.LimitWait);
        Assert.Equal("text", options.LogFormat);
    }

    [Theory]
    [InlineData("--listen", "8090", "--listen must be [host]:port")]
    [InlineData("--log-format", "xml", "--log-format must be json or text")]
    [InlineData("--limit-wait", "soon", "--limit-wait must be a duration")]
    [InlineData("--max-request-bytes", "-5", "--max-request-bytes must be a whole number")]
    [InlineData("--colour", "blue", "unknown option --colour")]
    [InlineData("--redis", "redis:6379,colour=blue", "--redis must be host:port or a StackExchange.Redis configuration")]
    [InlineData("--replicas", "0", "--replicas must be a whole number of at least 1")]
    [InlineData("--drain-timeout", "forever", "--drain-timeout must be a duration")]
    public void Bad_values_are_refused_naming_the_flag(string flag, string value, string message)
    {
        Assert.Null(Parse([flag, value], null, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Redis_and_drain_settings_come_from_the_chart_variables()
    {
        var options = Parse([], new() { ["DROVER_GATEWAY_REDIS"] = "redis.drover-system:6379,ssl=true", ["DROVER_GATEWAY_REPLICAS"] = "3", ["DROVER_GATEWAY_DRAIN_TIMEOUT"] = "45s" }, out var error)!;

        Assert.Null(error);
        Assert.Equal(("redis.drover-system:6379,ssl=true", 3, TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(5)), (options.Redis, options.Replicas, options.DrainTimeout, options.ShutdownDelay));
        Assert.Null(Parse(["--redis="], null, out _)!.Redis);
    }

    [Fact]
    public void Help_lists_every_flag_with_its_variable()
    {
        foreach (var (flag, variable) in GatewayOptions.Variables)
        {
            var line = GatewayOptions.Usage.Split('\n').SingleOrDefault(l => l.TrimStart().StartsWith("--" + flag + " ", StringComparison.Ordinal));
            Assert.True(line is not null, $"--{flag} is not in the help text");
            Assert.EndsWith(variable, line.TrimEnd(), StringComparison.Ordinal);
        }
    }
}
