using Drover.GatewayBench;

namespace Drover.Bench.Tests.Gateway;

public class GatewayOptionsTests
{
    [Fact]
    public void Options_parse_levels_durations_and_paths_and_direct_is_always_measured_first()
    {
        var options = GatewayBenchOptions.Parse(["--rates", "1000,100,1_000", "--duration=5s", "--paths", "portkey", "--stub-delay", "2ms", "--budget-tokens", "0"], out var error, out _);
        Assert.Null(error);
        Assert.Equal([100, 1000], options!.Rates);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Duration);
        Assert.Equal(["direct", "portkey"], options.Paths);
        Assert.Equal(TimeSpan.FromMilliseconds(2), options.Stub.Delay);
        Assert.Equal(0, options.BudgetTokens);
        Assert.Contains("2ms", options.StubArguments());
    }

    [Theory]
    [InlineData("--rates", "0", "--rates")]
    [InlineData("--paths", "direct,kong", "--paths")]
    [InlineData("--duration", "0s", "--duration")]
    [InlineData("--duration", "5", "--duration")]
    [InlineData("--tokens", "-3", "--tokens")]
    [InlineData("--frobnicate", "1", "unknown option --frobnicate")]
    public void Nonsense_is_refused_naming_the_option(string name, string value, string expected)
    {
        Assert.Null(GatewayBenchOptions.Parse([name, value], out var error, out _));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_stub_reads_its_own_options_and_help_is_help()
    {
        var stub = GatewayBenchOptions.ParseStub(["--port", "8080", "--delay", "0ms", "--tokens", "300", "--chunk-tokens", "20"], out var error);
        Assert.Null(error);
        Assert.Equal(8080, stub!.Value.Port);
        Assert.Equal((TimeSpan.Zero, 300, 20), (stub.Value.Stub.Delay, stub.Value.Stub.CompletionTokens, stub.Value.Stub.ChunkTokens));
        Assert.Null(GatewayBenchOptions.ParseStub(["--port", "70000"], out error));
        Assert.Contains("65535", error, StringComparison.Ordinal);

        Assert.Null(GatewayBenchOptions.Parse(["--rates", "100", "-h"], out _, out var help));
        Assert.True(help);
    }

    [Fact]
    public void Prometheus_text_gives_labelled_samples_summed_by_label()
    {
        const string text = """
            # HELP drover_gateway_tokens_total Tokens.
            drover_gateway_tokens_total{namespace="bench",agent="budgeted",provider="bench/stub-priced",model="bench-model",type="input"} 1200
            drover_gateway_tokens_total{namespace="bench",agent="budgeted",provider="bench/stub-priced",model="bench-model",type="output"} 8000
            drover_gateway_tokens_total{namespace="bench",agent="bench",provider="bench/stub",model="bench-model",type="output"} 5
            dotnet_collection_count_total{generation="0"} 42
            odd_metric{note="a \"quoted\", {braced} value"} 1.5e3
            process_cpu_seconds_total 3.25
            """;
        var samples = PrometheusText.Parse(text).ToList();
        Assert.Equal(9200, PrometheusText.Sum(samples, "drover_gateway_tokens_total", ("agent", "budgeted")));
        Assert.Equal(8005, PrometheusText.Sum(samples, "drover_gateway_tokens_total", ("type", "output")));
        Assert.Equal("a \"quoted\", {braced} value", samples.Single(s => s.Name == "odd_metric").Label("note"));
        Assert.Equal(1500, samples.Single(s => s.Name == "odd_metric").Value);
        Assert.Equal(3.25, PrometheusText.Sum(samples, "process_cpu_seconds_total"));
    }
}
