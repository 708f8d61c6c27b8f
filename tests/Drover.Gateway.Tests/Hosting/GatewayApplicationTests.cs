using Drover.Gateway.Tests.Support;
using Microsoft.Extensions.Configuration;
using Xunit.Abstractions;

namespace Drover.Gateway.Tests.Hosting;

public sealed class GatewayApplicationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_gateway_watches_no_file_under_its_working_directory()
    {
        // A configuration file watched for changes is a recursive watch of the whole working directory: started from a
        // checkout with logs being written under it, that cost the gateway several percent of its CPU.
        await using var gateway = await GatewayHarness.StartAsync(output);

        var files = ((IConfigurationRoot)gateway.Configuration).Providers.OfType<FileConfigurationProvider>().ToList();
        Assert.NotEmpty(files);
        Assert.All(files, file => Assert.False(file.Source.ReloadOnChange, $"{file.Source.Path} is watched for changes"));
    }
}
