using NiSharp.Cli;

return NisharpCli.Run(args, Console.Out, Console.Error);
