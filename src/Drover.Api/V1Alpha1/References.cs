using Drover.Api.Schema;

namespace Drover.Api.V1Alpha1;

/// <summary>Selects one key of a Secret in the namespace of the object that refers to it.</summary>
public sealed class SecretKeyReference
{
    /// <summary>Name of the Secret.</summary>
    [Required]
    [MinLength(1)]
    public string Name { get; set; } = "";

    /// <summary>Key inside the Secret's data whose value is used.</summary>
    [Required]
    [MinLength(1)]
    public string Key { get; set; } = "";
}

/// <summary>Selects one key of a ConfigMap in the namespace of the object that refers to it.</summary>
public sealed class ConfigMapKeyReference
{
    /// <summary>Name of the ConfigMap.</summary>
    [Required]
    [MinLength(1)]
    public string Name { get; set; } = "";

    /// <summary>Key inside the ConfigMap's data whose value is used.</summary>
    [Required]
    [MinLength(1)]
    public string Key { get; set; } = "";
}

/// <summary>A value read from a Secret.</summary>
public sealed class SecretValueSource
{
    /// <summary>The Secret key holding the value.</summary>
    [Required]
    public SecretKeyReference? SecretKeyRef { get; set; }
}

/// <summary>Text read from a ConfigMap.</summary>
public sealed class ConfigMapTextSource
{
    /// <summary>The ConfigMap key holding the text.</summary>
    [Required]
    public ConfigMapKeyReference? ConfigMapKeyRef { get; set; }
}
