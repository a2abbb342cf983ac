// Episode 2, "Exploring Preprocessed fMRI Data from fMRIPREP", in C#: run with
//   dotnet run examples/02-exploring-fmriprep.cs            (the notebooks' 4 subjects)
//   dotnet run examples/02-exploring-fmriprep.cs -- --full  (the lesson's 20 subjects)
#:project ../src/NiSharp/NiSharp.csproj
using NiSharp.Bids;
using NiSharp.Pipeline;

// The lesson's ../data/ds000030/derivatives/fmriprep/: a demo dataset in its image, generated on first use.
var fmriprepDir = LessonExample.Start(args).FmriprepDir;
void Show(string name, IEnumerable<object> items) => Console.WriteLine($"{name}:\n  " + string.Join("\n  ", items));

// tree -L 1 fmriprep/ and tree fmriprep/sub-10788
Show("fmriprep/", Directory.EnumerateFileSystemEntries(fmriprepDir).Select(Path.GetFileName).Order()!);
var layout = BidsLayout.Index(fmriprepDir);   // bids.BIDSLayout(dir, config=['bids', 'derivatives'])
Show("sub-10788/", layout.Get(subject: "10788").Select(f => f.RelativePath));

Show("layout.get_subjects()", layout.GetSubjects());
Show("layout.get_tasks()", layout.GetTasks());

var preprocT1 = layout.Get(datatype: "anat", desc: "preproc", extension: ".nii.gz");
Show("preproc_T1", preprocT1);
var mniPreprocT1 = layout.Get(datatype: "anat", desc: "preproc", extension: ".nii.gz", space: "MNI152NLin2009cAsym");
Show("mni_preproc_T1", mniPreprocT1);
Show("native_preproc_T1", preprocT1.Except(mniPreprocT1));
// Or directly: files without a space entity.
Show("native_preproc_T1 (space: None)", layout.Get(datatype: "anat", desc: "preproc", extension: ".nii.gz", space: BidsQuery.None));

// Exercise 1: all preprocessed functional data, in MNI152NLin2009cAsym space, in T1w space.
Show("func_data", layout.Get(datatype: "func", desc: "preproc"));
Show("mni_func_data", layout.Get(datatype: "func", desc: "preproc", space: "MNI152NLin2009cAsym"));
Show("t1w_func_data", layout.Get(datatype: "func", desc: "preproc", space: "T1w"));
