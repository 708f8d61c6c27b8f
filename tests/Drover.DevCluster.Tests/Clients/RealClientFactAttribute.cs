namespace Drover.DevCluster.Tests.Clients;

/// <summary>
/// A fact that needs a real client binary from <c>.tools/bin</c> (installed by <c>hack/tools.sh</c>);
/// skipped, with the reason, when the binary is absent.
/// </summary>
public sealed class RealClientFactAttribute : FactAttribute
{
    public RealClientFactAttribute(string tool)
    {
        if (RealClient.Find(tool) is null)
        {
            Skip = $"{tool} is not installed in .tools/bin; run hack/tools.sh to get it";
        }
    }
}
