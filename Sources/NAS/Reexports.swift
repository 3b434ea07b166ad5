// A program that runs searches and trainings also handles their files, errors and display
// (RunError, RunObserver, ConsoleObserver, MetricsLog, JSONFormat): importing NAS brings them.
@_exported import Reporting
