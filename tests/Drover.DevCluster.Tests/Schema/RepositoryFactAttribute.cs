namespace Drover.DevCluster.Tests.Schema;

/// <summary>
/// A fact that needs the repository checkout (its <c>crds/</c> and <c>config/samples/</c>);
/// skipped, with the reason shown, when the tests run from somewhere without it.
/// </summary>
public sealed class RepositoryFactAttribute : FactAttribute
{
    public RepositoryFactAttribute()
    {
        if (RepositoryRoot.Find() is null)
        {
            Skip = "the repository checkout (Operator.sln with crds/ and config/samples/) is not above the test output directory";
        }
    }
}

/// <summary>Finds the checkout the test assembly was built from.</summary>
internal static class RepositoryRoot
{
    public static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Operator.sln")) && Directory.Exists(Path.Combine(dir.FullName, "crds")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
