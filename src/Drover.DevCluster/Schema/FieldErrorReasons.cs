namespace Drover.DevCluster.Schema;

/// <summary>The cause types of apimachinery's <c>field.ErrorType</c>.</summary>
public static class FieldErrorReasons
{
    public const string Required = "FieldValueRequired";
    public const string NotSupported = "FieldValueNotSupported";
    public const string TypeInvalid = "FieldValueTypeInvalid";
    public const string Invalid = "FieldValueInvalid";
    public const string TooLong = "FieldValueTooLong";
    public const string TooMany = "FieldValueTooMany";
    public const string Duplicate = "FieldValueDuplicate";
}
