Console.Error.WriteLine("The CRD generator arrives with the foundation issue.");
return 2;
