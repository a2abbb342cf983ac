namespace NiSharp.Pipeline;

/// <summary>
/// What a runnable example of the lesson (<c>examples/NN-episode.cs</c>, run with <c>dotnet run</c>) starts from: the
/// lesson's fMRIPrep dataset — the demo in the image of ds000030, generated on first use beside the example — and a
/// folder for the pictures it draws.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Data: <c>examples/data/notebook/</c>, the four subjects of the lesson's notebooks
/// (<see cref="DemoOptions.LessonNotebook"/>); with the argument <c>--full</c> or <c>NISHARP_LESSON_FULL=1</c>,
/// <c>examples/data/lesson/</c> with the lesson's twenty (<see cref="DemoOptions.Lesson"/>).
/// <c>NISHARP_EXAMPLES_DATA</c> moves the data folder elsewhere.</item>
/// <item>Pictures: <c>examples/output/NN-episode/</c>; <c>NISHARP_EXAMPLES_OUTPUT</c> moves the output root.</item>
/// </list>
/// The examples' folder is the one holding the running <c>.cs</c> file (.NET file-based apps record it), else the
/// current folder.
/// </remarks>
/// <param name="FmriprepDir">The fMRIPrep derivatives folder (the lesson's <c>../data/ds000030/derivatives/fmriprep/</c>).</param>
/// <param name="OutputDir">Where the example writes its pictures.</param>
/// <param name="Episode">The example's name, e.g. <c>03-image-manipulation</c>.</param>
public sealed record LessonExample(string FmriprepDir, string OutputDir, string Episode)
{
    /// <summary>Ensures the dataset (generating it when missing, with a line on the console) and the output folder.</summary>
    public static LessonExample Start(string[] args, TextWriter? log = null)
    {
        var entry = AppContext.GetData("EntryPointFilePath") as string;
        var here = AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Directory.GetCurrentDirectory();
        var episode = entry is null ? "example" : Path.GetFileNameWithoutExtension(entry);
        bool full = args.Contains("--full") || Environment.GetEnvironmentVariable("NISHARP_LESSON_FULL") is "1" or "true";
        var dataRoot = Environment.GetEnvironmentVariable("NISHARP_EXAMPLES_DATA") is { Length: > 0 } d ? d : Path.Combine(here, "data");
        var outputRoot = Environment.GetEnvironmentVariable("NISHARP_EXAMPLES_OUTPUT") is { Length: > 0 } o ? o : Path.Combine(here, "output");
        var data = DemoDataset.Ensure(Path.Combine(dataRoot, full ? "lesson" : "notebook"), full ? DemoOptions.Lesson : DemoOptions.LessonNotebook, log ?? Console.Out);
        var output = Directory.CreateDirectory(Path.Combine(outputRoot, episode)).FullName;
        return new LessonExample(data, output, episode);
    }

    /// <summary>The path of a picture (or other file) in <see cref="OutputDir"/>.</summary>
    public string Output(string fileName) => Path.Combine(OutputDir, fileName);
}
