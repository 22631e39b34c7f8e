// MonitorCore
