return await Drover.Gateway.Hosting.GatewayCommand.RunAsync(args, Console.Out, Console.Error);
