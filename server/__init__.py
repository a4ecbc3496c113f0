"""JointPlan: joint key-account planning for a supplier and its customer."""
