using Drover.Operator;

return DroverCommands.Invoke(args, Console.Out, Console.Error);
