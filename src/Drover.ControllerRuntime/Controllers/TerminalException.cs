namespace Drover.ControllerRuntime.Controllers;

/// <summary>Thrown from a reconciler when retrying cannot help: the controller logs it, counts it and forgets the key.</summary>
public sealed class TerminalException : Exception
{
    public TerminalException()
    {
    }

    public TerminalException(string message)
        : base(message)
    {
    }

    public TerminalException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
