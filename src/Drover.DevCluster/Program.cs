Console.Error.WriteLine("The dev cluster arrives with the dev-cluster issue.");
return 2;
