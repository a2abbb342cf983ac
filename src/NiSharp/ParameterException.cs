namespace NiSharp;

/// <summary>
/// A bad value of one parameter, named as the library calls it (nilearn's name where there is one, else the options
/// property in snake case: <c>dummy_scans</c>, <c>edges</c>, <c>t_r</c>). The message starts with that name, so that a
/// front end can put its own spelling of the parameter there (the CLI its flag, <c>--dummy-scans</c>).
/// </summary>
public sealed class ParameterException : NiSharpException
{
    /// <summary>The parameter's name, as the message starts with it.</summary>
    public string Parameter { get; }

    /// <summary>What follows the parameter's name in the message (starting with a space or a colon).</summary>
    public string Problem { get; }

    /// <summary>A bad value of <paramref name="parameter"/>: the message reads <c>parameter</c> followed by
    /// <paramref name="problem"/> (e.g. <c>": no pairs given"</c> or <c>" must be 0 or more"</c>).</summary>
    public ParameterException(string parameter, string problem) : base(parameter + problem)
    {
        Parameter = parameter;
        Problem = problem;
    }

    /// <summary>The message with the parameter spelled <paramref name="name"/> (a flag, a field).</summary>
    public string MessageNaming(string name) => name + Problem;
}
