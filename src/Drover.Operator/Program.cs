// The operator host arrives with the operator issue; until then the binary only reports its version.
Console.WriteLine($"drover {typeof(Program).Assembly.GetName().Version}");
return 0;
