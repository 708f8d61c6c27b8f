using System.Reflection;
using System.Text;
using System.Xml.Linq;

namespace Drover.CrdGen;

/// <summary>
/// The summaries of the compiler-generated XML documentation files, keyed by member ID
/// (<c>T:Namespace.Type</c>, <c>P:Namespace.Type.Property</c>). They become the CRD descriptions.
/// </summary>
internal sealed class XmlDocumentation
{
    private readonly Dictionary<string, string> _summaries = new(StringComparer.Ordinal);

    /// <summary>Loads the XML doc file next to each assembly; a missing file is an error because descriptions would silently vanish.</summary>
    public static XmlDocumentation Load(params Assembly[] assemblies)
    {
        var docs = new XmlDocumentation();
        foreach (var assembly in assemblies)
        {
            var path = Path.ChangeExtension(assembly.Location, ".xml");
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The XML documentation of {assembly.GetName().Name} is missing; build with GenerateDocumentationFile or CopyDocumentationFilesFromPackages.", path);
            }

            docs.Add(XDocument.Load(path));
        }

        return docs;
    }

    public string? ForType(Type type) => Find("T:" + MemberName(type));

    public string? ForProperty(PropertyInfo property)
    {
        // A property declared on a base type or an interface is documented there.
        for (var type = property.DeclaringType; type is not null; type = type.BaseType)
        {
            if (Find($"P:{MemberName(type)}.{property.Name}") is { } summary)
            {
                return summary;
            }
        }

        return null;
    }

    private void Add(XDocument document)
    {
        foreach (var member in document.Descendants("member"))
        {
            var name = member.Attribute("name")?.Value;
            var summary = member.Element("summary");
            if (name is not null && summary is not null)
            {
                var text = Render(summary);
                if (text.Length > 0)
                {
                    _summaries[name] = text;
                }
            }
        }
    }

    private string? Find(string id) => _summaries.TryGetValue(id, out var text) ? text : null;

    private static string MemberName(Type type) => (type.FullName ?? type.Name).Replace('+', '.');

    private static string Render(XElement summary)
    {
        var text = new StringBuilder();
        foreach (var node in summary.Nodes())
        {
            Append(text, node);
        }

        return string.Join(' ', text.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    private static void Append(StringBuilder text, XNode node)
    {
        switch (node)
        {
            case XText t:
                text.Append(t.Value);
                break;
            case XElement { Name.LocalName: "see" or "seealso" } e:
                var target = e.Attribute("cref")?.Value ?? e.Attribute("langword")?.Value ?? e.Attribute("href")?.Value ?? "";
                text.Append(e.IsEmpty ? target[(target.LastIndexOf('.') + 1)..] : e.Value);
                break;
            case XElement { Name.LocalName: "paramref" or "typeparamref" } e:
                text.Append(e.Attribute("name")?.Value);
                break;
            case XElement e:
                text.Append(' ');
                foreach (var child in e.Nodes())
                {
                    Append(text, child);
                }

                text.Append(' ');
                break;
        }
    }
}
